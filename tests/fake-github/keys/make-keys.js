// Writes the test GitHub App's RSA key pair (2048 bits) next to this file: the
// private key in PKCS#1 ("BEGIN RSA PRIVATE KEY", what GitHub's app settings page
// downloads) and PKCS#8 ("BEGIN PRIVATE KEY", what WebCrypto and
// universal-github-app-jwt take) PEM forms, and the public key (SPKI PEM) that the
// fake verifies JWTs with. A test key, public on purpose: never use it elsewhere.
// Run once: node tests/fake-github/keys/make-keys.js (the files are committed).

import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('.', import.meta.url));
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 0x10001 });
writeFileSync(`${dir}test-app.private-key.pem`, privateKey.export({ type: 'pkcs1', format: 'pem' }));
writeFileSync(`${dir}test-app.private-key.pkcs8.pem`, privateKey.export({ type: 'pkcs8', format: 'pem' }));
writeFileSync(`${dir}test-app.public-key.pem`, publicKey.export({ type: 'spki', format: 'pem' }));
