export { vfioMachine, type VfioMachineContext, type VfioMachineEvent } from './machine.js';
export { VfioService } from './service.js';
