import type { Dispatch } from '../core/types.js';
import type { Observer } from './types.js';

/**
 * Wraps the dispatch of a synchronous channel (`api`, `web`) so its messages show in
 * `gatehouse_channel_messages_total` like the inbox channels': inbound when accepted, then
 * outbound, duplicate or failed. Inbox channels count at intake and delivery instead.
 */
export function countChannelMessages(dispatch: Dispatch, observer: Observer): Dispatch {
  return async function countedDispatch(request) {
    const channel = request.message.channel;
    observer.record({ type: 'ChannelMessage', channel, direction: 'inbound' });
    try {
      const result = await dispatch(request);
      observer.record({
        type: 'ChannelMessage',
        channel,
        direction: result.duplicate ? 'duplicate' : 'outbound',
      });
      return result;
    } catch (error) {
      observer.record({ type: 'ChannelMessage', channel, direction: 'failed' });
      throw error;
    }
  };
}
