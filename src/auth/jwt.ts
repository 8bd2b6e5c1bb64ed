import { createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  createRemoteJWKSet,
  errors,
  type JWTPayload,
  type JWTVerifyGetKey,
  type JWTVerifyOptions,
  jwtVerify,
} from 'jose';

export interface JwtOptions {
  /** Shared secret for HS256/384/512; at least 32 bytes (RFC 7518 §3.2). */
  readonly secret?: string | undefined;
  /** PEM public key (SPKI), or a path to one: RS*, PS*, ES* or EdDSA. */
  readonly publicKey?: string | undefined;
  /** A JWKS endpoint; keys are cached and refetched when a token names an unknown `kid`. */
  readonly jwksUrl?: string | undefined;
  readonly audience?: string | undefined;
  readonly issuer?: string | undefined;
  /**
   * After one JWKS fetch, how long a token with an unknown `kid` waits before the next, so a
   * flood of made-up kids cannot turn into a flood of fetches. Default 10 s.
   */
  readonly jwksCooldownMs?: number | undefined;
}

/** A verified token: its subject, grants and expiry. */
export interface VerifiedToken {
  readonly subject: string | undefined;
  readonly subscribe: readonly string[];
  readonly publish: readonly string[];
  readonly expiresAt: number | undefined;
}

/** Why a token was refused; the message is safe to send to the client. */
export class TokenError extends Error {
  override readonly name = 'TokenError';
}

const HMAC = ['HS256', 'HS384', 'HS512'];
const ASYMMETRIC = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
];

export function jwtConfigured(options: JwtOptions): boolean {
  return Boolean(options.secret || options.publicKey || options.jwksUrl);
}

/**
 * Verifies tokens with jose. `alg: none` is never accepted, and each key only verifies the
 * algorithms of its own kind, so an HS token can never be checked against a public key used
 * as an HMAC secret (the classic key-confusion attack).
 */
export function createJwtVerifier(options: JwtOptions): (token: string) => Promise<VerifiedToken> {
  const secret =
    options.secret === undefined ? undefined : new TextEncoder().encode(options.secret);
  if (secret !== undefined && secret.length < 32) {
    throw new RangeError(
      'jwtSecret must be at least 32 bytes: shorter HMAC keys can be brute-forced',
    );
  }
  const publicKey = options.publicKey === undefined ? undefined : loadPublicKey(options.publicKey);
  const jwks =
    options.jwksUrl === undefined
      ? undefined
      : createRemoteJWKSet(new URL(options.jwksUrl), {
          cacheMaxAge: 10 * 60_000,
          cooldownDuration: options.jwksCooldownMs ?? 10_000,
          timeoutDuration: 5_000,
        });
  const algorithms = [...(secret ? HMAC : []), ...(publicKey || jwks ? ASYMMETRIC : [])];

  const verifyOptions: JWTVerifyOptions = { algorithms, clockTolerance: 5 };
  if (options.audience !== undefined) verifyOptions.audience = options.audience;
  if (options.issuer !== undefined) verifyOptions.issuer = options.issuer;

  const getKey: JWTVerifyGetKey = async (header, token) => {
    if (HMAC.includes(header.alg)) {
      if (secret === undefined)
        throw new TokenError(`tokens signed with ${header.alg} are not accepted`);
      return secret;
    }
    if (publicKey !== undefined) return publicKey;
    if (jwks !== undefined) return jwks(header, token);
    throw new TokenError(`tokens signed with ${header.alg} are not accepted`);
  };

  return async (token) => {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, getKey, verifyOptions));
    } catch (error) {
      throw new TokenError(reasonOf(error));
    }
    return {
      subject: typeof payload.sub === 'string' && payload.sub !== '' ? payload.sub : undefined,
      ...grantsOf(payload.ssehub),
      expiresAt: typeof payload.exp === 'number' ? payload.exp * 1000 : undefined,
    };
  };
}

function loadPublicKey(value: string): KeyObject {
  const pem = value.includes('-----BEGIN') ? value : readFileSync(value, 'utf8');
  return createPublicKey(pem);
}

/** The `ssehub` claim: `{ "subscribe": [patterns], "publish": [patterns] }`. */
function grantsOf(claim: unknown): { subscribe: string[]; publish: string[] } {
  if (claim === undefined) return { subscribe: [], publish: [] };
  const list = (value: unknown, name: string): string[] => {
    if (value === undefined) return [];
    if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value;
    throw new TokenError(`the token's ssehub.${name} claim must be an array of strings`);
  };
  if (typeof claim !== 'object' || claim === null || Array.isArray(claim)) {
    throw new TokenError("the token's ssehub claim must be an object");
  }
  const c = claim as Record<string, unknown>;
  return { subscribe: list(c.subscribe, 'subscribe'), publish: list(c.publish, 'publish') };
}

function reasonOf(error: unknown): string {
  if (error instanceof TokenError) return error.message;
  if (error instanceof errors.JWTExpired) return 'the token has expired';
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'nbf') return 'the token is not valid yet';
    return `the token's "${error.claim}" claim is not accepted`;
  }
  if (error instanceof errors.JWSSignatureVerificationFailed)
    return 'the token signature is invalid';
  if (error instanceof errors.JOSEAlgNotAllowed) return 'the token algorithm is not accepted';
  if (error instanceof errors.JWKSNoMatchingKey) return 'no key matches the token';
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid) {
    return 'the token is malformed';
  }
  return 'the token could not be verified';
}
