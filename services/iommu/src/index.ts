export { iommuMachine, type IommuMachineContext, type IommuMachineEvent } from './machine.js';
export { IommuService } from './service.js';
