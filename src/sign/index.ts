/** cosign-compatible key pairs, image signing and verification (key-based, no transparency log). */

export {
  COSIGN_PRIVATE_KEY_PEM_TYPE,
  PUBLIC_KEY_PEM_TYPE,
  SIGSTORE_PRIVATE_KEY_PEM_TYPE,
  generateKeyPair,
  loadPrivateKey,
  loadPublicKey,
  signBytes,
  verifyBytes,
} from './keys.js';
export type { GeneratedKeyPair, SignatureHash, SigningKey, VerificationKey } from './keys.js';
export { KDF_STRENGTHS, DecryptError, decryptWithPassword, encryptWithPassword } from './encrypted.js';
export type { KdfStrength, ScryptParams } from './encrypted.js';
export {
  COSIGN_SIGNATURE_TYPE,
  buildPayload,
  dockerReference,
  parsePayload,
  sameDockerReference,
} from './payload.js';
export type { SimpleSigning } from './payload.js';
export {
  SIGNATURE_ANNOTATION,
  SIMPLE_SIGNING_MEDIA_TYPE,
  signatureConfig,
  signatureManifest,
  signatureTag,
} from './signature-image.js';
export type { SignatureMediaTypes } from './signature-image.js';
export { fetchSignatureManifest, signImage } from './sign.js';
export type { SignOptions, SignResult } from './sign.js';
export { verifyImageSignatures } from './verify.js';
export type { RejectedSignature, VerifiedSignature, VerifyOptions, VerifyResult } from './verify.js';
export { readKeyPassword } from './password.js';
export type { PasswordOptions } from './password.js';
export { decodePem, encodePem } from './pem.js';
export { secretboxOpen, secretboxSeal } from './secretbox.js';
export {
  BUNDLE_V03_MEDIA_TYPE,
  COSIGN_SIGN_PREDICATE_TYPE,
  buildSignStatement,
  checkSignatureBundle,
  createSignatureBundle,
  keyHint,
} from './bundle.js';
export { checkReferrerSignatures, signImageReferrer } from './referrer.js';
export type { ReferrerCheck, ReferrerSignResult } from './referrer.js';
export { checkImageSignatures, checkTagSignatures, signatureReportError, UnsignedError } from './verify.js';
export type { SignatureMode, SignatureReport, SignatureStatus } from './verify.js';
