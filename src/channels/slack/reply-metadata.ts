/** `metadata.event_type` of every reply part gatehouse posts to Slack. */
export const SLACK_REPLY_EVENT_TYPE = 'gatehouse_reply';

/** Slack message metadata that names a reply part, so it can be found again in the thread. */
export function slackReplyMetadata(partId: string): {
  event_type: string;
  event_payload: { id: string };
} {
  return { event_type: SLACK_REPLY_EVENT_TYPE, event_payload: { id: partId } };
}
