export { vdpaMachine, type VdpaMachineContext, type VdpaMachineEvent } from './machine.js';
export { VdpaService } from './service.js';
