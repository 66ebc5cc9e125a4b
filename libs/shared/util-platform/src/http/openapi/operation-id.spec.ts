import { operationIdOf } from './operation-id';

describe('operationIdOf', () => {
  it.each([
    ['MessagesController', 'send', 'sendMessage'],
    ['MessagesController', 'get', 'getMessage'],
    ['ApiKeysController', 'list', 'listApiKeys'],
    ['ApiKeysController', 'revoke', 'revokeApiKey'],
    ['OwnAccountController', 'get', 'getOwnAccount'],
    ['RoutesController', 'putRule', 'putRouteRule'],
    ['OptOutsController', 'getSettings', 'getOptOutSettings'],
    ['DlqReplayController', 'replay', 'replayDlq'],
    ['BatchesController', 'create', 'createBatch'],
    ['RepliesController', 'list', 'listReplies'],
    ['InboxController', 'get', 'getInbox'],
    ['StatusController', 'get', 'getStatus'],
  ])('%s.%s is %s', (controller, method, expected) => {
    expect(operationIdOf(controller, method)).toBe(expected);
  });
});
