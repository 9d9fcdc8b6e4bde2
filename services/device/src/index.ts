export { deviceLifecycleOf, deviceMachine, type DeviceLifecycle, type DeviceMachineContext, type DeviceMachineEvent } from './machine.js';
export { DeviceService, DeviceWorkload, actorsParentStart, deviceWorkloads } from './service.js';
