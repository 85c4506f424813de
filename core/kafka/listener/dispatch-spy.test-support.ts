import { apiByKey } from '../protocol/api-registry';

/**
 * A spy on the real request dispatcher: it notes which version of each API clients chose and
 * hands every request on unchanged. Kept apart from the listener harness, which imports the
 * dispatcher, so the mock factory does not import a module that waits on the mock.
 */

/** API name to the versions clients used, filled by recordVersions. */
export type SeenVersions = Map<string, Set<number>>;

/**
 * Wraps the real request dispatcher (for `vi.mock('./request-dispatcher', ...)`) so a test sees
 * which version of each API a client negotiated; every request is still handled by the real one.
 */
export function recordVersions(real: typeof import('./request-dispatcher'), seen: SeenVersions): typeof import('./request-dispatcher') {
  return {
    ...real,
    dispatch: (ctx, request, origin) => {
      const name = apiByKey(request.apiKey)?.name ?? String(request.apiKey);
      const versions = seen.get(name) ?? new Set<number>();
      versions.add(request.apiVersion);
      seen.set(name, versions);
      return real.dispatch(ctx, request, origin);
    },
  };
}

/** The versions seen, as `{ Produce: [7], ... }`, for comparing with the reference's table. */
export function versionsSeen(seen: SeenVersions): Record<string, number[]> {
  return Object.fromEntries([...seen].map(([name, versions]) => [name, [...versions].sort((a, b) => a - b)]));
}
