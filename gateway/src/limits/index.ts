export { estimateCost } from './cost';
export { aliasLimit, directiveLimit, rootFieldLimit } from './counts';
export { depthLimit } from './depth';
export { OperationGuard, type OperationLimits, type OperationRequest } from './operation-guard';
export { SocketLimits, TOO_MANY_SOCKETS, type WebSocketLimits } from './socket-limits';
