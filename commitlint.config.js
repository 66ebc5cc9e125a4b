/**
 * Commit messages (CONTRIBUTING.md): Conventional Commits, one change per commit, a subject under 72
 * characters. The subject is what `git log --oneline` and a release note show, so it names one change;
 * the reason and any figures go in the body.
 */
const ONE_CHANGE = {
  rules: {
    // "fix(a): x; refactor(b): y" is two commits.
    'subject-one-change': ({ header }) => [
      !header || !/;/.test(header),
      'name one change in the subject (no ";"): split the commit, or move the detail to the body',
    ],
  },
};

module.exports = {
  extends: ['@commitlint/config-conventional'],
  plugins: [ONE_CHANGE],
  // Merge commits name the branch they bring in; their parents carry the changes.
  ignores: [(message) => /^merge(\(.+\))?: /.test(message) || /^Merge /.test(message)],
  rules: {
    'header-max-length': [2, 'always', 72],
    'subject-one-change': [2, 'always'],
    // Subjects start with a lower-case verb, but names (Kafka, SMPP, OpenAPI) may start them.
    'subject-case': [0],
    // Bodies carry tables of figures and URLs; wrapping them would spoil both.
    'body-max-line-length': [0],
    'footer-max-line-length': [0],
  },
};
