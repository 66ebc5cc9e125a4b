/**
 * Readable, stable operationIds for generated clients (`sendMessage`, `getMessage`, `listApiKeys`), derived
 * from the controller and handler names so that every route gets one without being annotated:
 * the handler's first word is the verb; the controller's name (without `Controller`) is the resource,
 * plural for `list`, singular otherwise; the rest of the handler's name follows the resource
 * (`RoutesController.putRule` → `putRouteRule`); a resource that ends with the verb drops it
 * (`DlqReplayController.replay` → `replayDlq`). `@ApiOperation({ operationId })` overrides the rule.
 */
export function operationIdOf(controllerKey: string, methodKey: string): string {
  const [verb = methodKey, ...rest] = splitWords(methodKey);
  const plural = controllerKey.replace(/Controller$/, '');
  let resource = verb === 'list' ? plural : singular(plural);
  const verbWord = capitalise(verb);
  if (resource.endsWith(verbWord) && resource.length > verbWord.length) {
    resource = resource.slice(0, -verbWord.length);
  }

  return `${verb}${resource}${rest.join('')}`;
}

const splitWords = (name: string): string[] => name.split(/(?=[A-Z])/);

const capitalise = (word: string): string => `${word.charAt(0).toUpperCase()}${word.slice(1)}`;

/** English plurals as controller names use them: `Batches`, `Replies`, `ApiKeys`; `Status` stays. */
function singular(name: string): string {
  if (/ies$/.test(name)) {
    return `${name.slice(0, -3)}y`;
  }
  if (/(ch|sh|ss|x)es$/.test(name)) {
    return name.slice(0, -2);
  }
  if (/[^su]s$/.test(name)) {
    return name.slice(0, -1);
  }

  return name;
}
