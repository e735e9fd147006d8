export { createSlackAdapter, type SlackAdapterOptions } from './adapter.js';
export { SLACK_MAX_TEXT } from './deliver.js';
export {
  formatSlackReplyTarget,
  parseSlackReplyTarget,
  type SlackReplyTarget,
} from './reply-target.js';
