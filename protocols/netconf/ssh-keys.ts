// SSH key generation for NETCONF peers and tests. ssh2's generateKeyPairSync('ed25519') writes
// about one key in 500 malformed (a public key that starts with a zero byte loses that byte, and
// ssh2's own parseKey then rejects the file), so every generated pair is parsed back before use.
import ssh2 from 'ssh2';

export interface SshKeyPair {
  /** OpenSSH private key file text. */
  private: string;
  /** OpenSSH public key line ("ssh-ed25519 AAAA..."). */
  public: string;
}

/** Encrypts the private key: passphrase, cipher (e.g. aes256-cbc) and bcrypt rounds. */
export interface SshKeyEncryption {
  passphrase: string;
  cipher: string;
  rounds: number;
}

const MAX_TRIES = 32;

/** A fresh ed25519 pair that ssh2 itself can read back (with the passphrase, if the key is encrypted). */
export function generateEd25519KeyPair(enc?: SshKeyEncryption): SshKeyPair {
  for (let i = 0; i < MAX_TRIES; i++) {
    const k = enc ? ssh2.utils.generateKeyPairSync('ed25519', enc) : ssh2.utils.generateKeyPairSync('ed25519');
    if (!(ssh2.utils.parseKey(k.private, enc?.passphrase) instanceof Error) && !(ssh2.utils.parseKey(k.public) instanceof Error)) return k;
  }
  throw new Error(`could not generate a readable ed25519 key in ${MAX_TRIES} tries`);
}
