export { managerMachine, type ManagerMachineContext, type ManagerMachineEvent } from './machine.js';
export { ManagerService } from './service.js';
