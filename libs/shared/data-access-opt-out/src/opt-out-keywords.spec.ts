import { classifyKeyword, keywordSet } from './opt-out-keywords';

describe(classifyKeyword.name, () => {
  const keywords = keywordSet('ARRET, arrêt', 'OUI');

  it.each([
    ['STOP', 'stop'],
    ['stop', 'stop'],
    ['  Stop  ', 'stop'],
    ['\tSTOP\n', 'stop'],
    ['stop.', 'stop'],
    ['Unsubscribe', 'stop'],
    ['cancel', 'stop'],
    ['END', 'stop'],
    ['quit', 'stop'],
    ['REVOKE', 'stop'],
    ['optout', 'stop'],
    ['Opt-Out', 'stop'],
    ['arret', 'stop'],
    ['ARRÊT', 'stop'],
    ['arre\u0302t', 'stop'],
    ['STOPALL', 'stopall'],
    [' stopall ', 'stopall'],
    ['start', 'start'],
    ['UNSTOP', 'start'],
    ['yes', 'start'],
    ['oui', 'start'],
    ['HELP', 'help'],
    ['info', 'help'],
  ])('%j is %s', (body, intent) => {
    expect(classifyKeyword(body, keywords)).toBe(intent);
  });

  it.each(['stop please', 'please stop', 'STOP ALL', 'opt out', 'stopp', '', '   ', 'S T O P', 'help me', 'stop!!'])(
    '%j is not a keyword',
    (body) => {
      expect(classifyKeyword(body, keywords)).toBeNull();
    },
  );
});
