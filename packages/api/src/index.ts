// Code generated from proto/ by `make proto`; this file only names the namespaces.
export * as orderV1 from './gen/addispay/order/v1/order_service.js';
export * as loggerV1 from './gen/addispay/logger/v1/logger_service.js';
export * as eventsV1 from './gen/addispay/events/v1/events.js';
export { descriptorSet } from './gen/descriptor-set.js';
