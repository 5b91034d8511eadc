import type { RequestHandler } from 'express';
import type { Logger } from '../log/create-logger.ts';

/** 127.0.0.0/8, ::1 and the IPv4-mapped form of a loopback address. */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  const a = address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address;
  return a === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(a);
}

/** A host name that can only mean this machine: localhost, a loopback address (any port). */
export function isLoopbackHost(host: string | undefined): boolean {
  if (!host) return false;
  const name = host.startsWith('[') ? host.slice(1, host.indexOf(']')) : host.replace(/:\d+$/, '');
  return name.toLowerCase() === 'localhost' || isLoopbackAddress(name);
}

/**
 * The local tools (simulator, clock, users) move time and sign webhooks: only for someone at this
 * machine. A request from elsewhere gets a 404 (they are not there); one whose Host header names
 * another site (a page that rebound its domain to 127.0.0.1: DNS rebinding) gets a 403.
 * `next('router')`-free: it answers, or passes to the local routes.
 */
export function localOnly(log: Logger): RequestHandler {
  return (req, res, next) => {
    if (!isLoopbackAddress(req.socket.remoteAddress)) {
      log.warn({ remote: req.socket.remoteAddress, path: req.path }, 'local tools refused: the request does not come from this machine');
      res.status(404).json({ error: 'not_found' });
      return;
    }
    if (!isLoopbackHost(req.get('host'))) {
      log.warn({ host: req.get('host')?.slice(0, 100), path: req.path }, 'local tools refused: the Host header is not this machine (DNS rebinding?)');
      res.status(403).json({ error: 'forbidden_host', message: 'the local tools answer only to http://127.0.0.1 or http://localhost' });
      return;
    }
    next();
  };
}
