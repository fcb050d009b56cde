// The NETCONF error types shared by the client and the server: one base class, one class per failure.

/** Base of every NETCONF error, so callers can catch the protocol's failures in one clause. */
export class NetconfError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

export type NetconfFramingProblem = 'bad-chunk-header' | 'bad-chunk-size' | 'junk' | 'too-big' | 'closed';

/**
 * Broken RFC 6242 framing from the peer. The decoder that threw is poisoned: the byte stream has no
 * recoverable message boundary, so the session must be closed.
 */
export class NetconfFramingError extends NetconfError {
  constructor(
    readonly problem: NetconfFramingProblem,
    detail: string,
  ) {
    super(`NETCONF framing: ${problem}: ${detail}`);
  }
}

export type NetconfXmlProblem = 'malformed' | 'doctype' | 'entity' | 'not-netconf';

/** A message that is not well-formed XML, declares a DTD or entity, or is not a NETCONF message. */
export class NetconfXmlError extends NetconfError {
  constructor(
    readonly problem: NetconfXmlProblem,
    detail: string,
  ) {
    super(`NETCONF XML: ${problem}: ${detail}`);
  }
}
