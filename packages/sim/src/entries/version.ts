/**
 * @ioasim/sim/version: the version alone, for `ioasim --version`, which
 * then loads nothing else. The package's index exports the same.
 */
export { IOASIM_VERSION } from '../version.js';
