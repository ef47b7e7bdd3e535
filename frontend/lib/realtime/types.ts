/**
 * The messages of the api's WebSocket (`/ws`): envelope `{ event, data }` both ways. The envelope,
 * event names and payloads come from @tributary/contracts (what the backend publishes), not a copy.
 */
export type {
  ControlEventMap,
  PlatformEventMap,
  PlatformEventName,
  PlatformMessage,
  PublishedEvent,
  RealtimeMessage,
  ServerEventMap,
  ServerEventName,
  StepUpdate,
} from '@tributary/contracts';
export { CLOSE_CODES } from '@tributary/contracts/realtime';

export type RealtimeStatus =
  | 'idle' // never connected, or disconnect() was called
  | 'connecting'
  | 'authenticating'
  | 'open'
  | 'reconnecting' // waiting for the next attempt after a drop
  | 'unauthorized'; // the token was refused: sign in again, then connect(newToken)
