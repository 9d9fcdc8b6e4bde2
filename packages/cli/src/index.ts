export { EXIT, cliMain, type Io } from './cli.js';
