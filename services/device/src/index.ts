export { deviceMachine, type DeviceAccess, type DeviceMachineContext, type DeviceMachineEvent } from './machine.js';
export { DeviceService, actorsParentStart } from './service.js';
