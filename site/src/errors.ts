// The one error type of the site build: it names the source file and what to fix,
// so `kubelab site build` can print it without a stack trace.

export class SiteBuildError extends Error {}
