export { managerMachine, type ManagerLifecycle, type ManagerMachineContext, type ManagerMachineEvent } from './machine.js';
export { ManagerService, type ControlJournalEntry, type ManagerRestart } from './service.js';
