/**
 * The two pieces of undici 7 the transport uses, imported from their own modules rather than the
 * package index. The index also loads fetch, WebSocket, the cache store, mocks and more: ~250 KB
 * of JavaScript that every registry command would parse for nothing (~30 ms of start-up).
 */
import type { Dispatcher, Agent as UndiciAgent } from 'undici';
import AgentImpl from 'undici/lib/dispatcher/agent.js';
import requestImpl from 'undici/lib/api/api-request.js';

// Typed with undici's public types so the emitted declarations need nothing of ours.
export const Agent: typeof UndiciAgent = AgentImpl;
export type Agent = UndiciAgent;

/** `undici.request`, bound to a dispatcher: the index builds the same from `origin` + `path`. */
export function request(
  url: URL,
  opts: Omit<Dispatcher.RequestOptions, 'origin' | 'path'> & { dispatcher: Dispatcher; reset?: boolean },
): Promise<Dispatcher.ResponseData> {
  const { dispatcher, ...rest } = opts;
  return requestImpl.call(dispatcher, { ...rest, origin: url.origin, path: `${url.pathname}${url.search}` });
}
