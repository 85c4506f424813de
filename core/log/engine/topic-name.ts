/** Kafka's rules for topic names (Topic.validate): the same names are legal here and there. */
export function topicNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'a topic name cannot be empty';
  if (name === '.' || name === '..') return `'${name}' is not a legal topic name`;
  if (name.length > 249) return `a topic name is at most 249 characters, '${name.slice(0, 20)}…' has ${name.length}`;
  const bad = /[^a-zA-Z0-9._-]/.exec(name);
  if (bad) return `'${name}' contains '${bad[0]}' at ${bad.index}; topic names may only contain ASCII letters, digits, '.', '_' and '-'`;
  return undefined;
}
