/**
 * `@mailyard/smtp/sender`: what the api process needs of this app (sending over HTTP, the webhook signature's
 * header name) without the package's index, whose imports bring the MX, submission and outbound servers
 * (smtp-server and the rest: about 7 MB more RSS in the api process).
 */
export { createMessageSender, type HttpSender, type HttpSubmission, type MessageSender } from './message-sender.js';
export { SIGNATURE_HEADER } from './webhooks/post.js';
