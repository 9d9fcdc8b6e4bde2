export { deviceMachine, type DeviceAccess, type DeviceMachineContext, type DeviceMachineEvent } from './machine.js';
export { DeviceService } from './service.js';
