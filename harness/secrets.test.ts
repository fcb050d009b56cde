// Secret references: resolution from the environment, one error for all missing variables, redaction.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Redactor, SecretError, hasMalformedRef, isEnvRef, isSecretField, redact, resolveSettings } from './secrets.ts';
import { loadTestbed } from './testbed.ts';

const lab = loadTestbed(fileURLToPath(new URL('../config/testbeds/lab-example.yaml', import.meta.url)));

const ENV = {
  DUT1_NETCONF_PASSWORD: 'nc-pass-1',
  DUT1_SNMP_AUTH: 'auth-key-1',
  DUT1_SNMP_PRIV: 'priv-key-1',
  DUT2_HOST: '198.51.100.7',
  DUT2_KEY_PASSPHRASE: 'phrase & <2>',
  DUT2_SNMP_COMMUNITY: 'c0mmunity',
};

describe('resolveSettings', () => {
  it('replaces references and lists the secret values, not the other ones', () => {
    const { devices, secrets } = resolveSettings(lab, ENV);
    expect(devices.get('dut1')!.netconf).toEqual({ host: '192.0.2.10', port: 830, username: 'admin', password: 'nc-pass-1' });
    expect(devices.get('dut1')!.snmp).toMatchObject({ authKey: 'auth-key-1', privKey: 'priv-key-1' });
    expect(devices.get('dut2')!.netconf).toMatchObject({ host: '198.51.100.7', passphrase: 'phrase & <2>' });
    expect(devices.get('dut2')!.snmp).toMatchObject({ host: '198.51.100.7', community: 'c0mmunity' });
    expect(devices.get('module1')).toEqual({ serial: { path: '/dev/ttyUSB0', baudRate: 115200 } });
    expect([...secrets].sort()).toEqual(['auth-key-1', 'c0mmunity', 'nc-pass-1', 'phrase & <2>', 'priv-key-1']);
    // The testbed itself keeps its references.
    expect(lab.devices[0].settings.netconf!.password).toBe('${env:DUT1_NETCONF_PASSWORD}');
  });

  it('names every missing variable with its device and field, and no value', () => {
    const env = { ...ENV, DUT1_SNMP_PRIV: undefined, DUT2_HOST: '' };
    let err: unknown;
    try {
      resolveSettings(lab, env);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SecretError);
    const { missing, message } = err as SecretError;
    expect(missing).toEqual([
      { variable: 'DUT1_SNMP_PRIV', device: 'dut1', field: 'snmp.privKey' },
      { variable: 'DUT2_HOST', device: 'dut2', field: 'netconf.host' },
      { variable: 'DUT2_HOST', device: 'dut2', field: 'snmp.host' },
    ]);
    expect(message).toContain('2 environment variables are not set');
    expect(message).toContain('DUT1_SNMP_PRIV: needed by device dut1, field binding.devices.dut1.snmp.privKey');
    for (const value of Object.values(ENV)) expect(message).not.toContain(value);
  });

  it('gives emulated devices empty settings', () => {
    const tb = loadTestbed(fileURLToPath(new URL('../config/testbeds/emulator.yaml', import.meta.url)));
    const { devices, secrets } = resolveSettings(tb, {});
    expect(devices.size).toBe(tb.devices.length);
    for (const d of tb.devices) expect(devices.get(d.id), d.id).toEqual({});
    expect(secrets).toEqual([]);
  });
});

describe('secret field names and references', () => {
  it('knows which fields are secret', () => {
    for (const f of ['password', 'passphrase', 'community', 'authKey', 'privKey', 'token', 'apiKey', 'adminPassword', 'clientSecret']) {
      expect(isSecretField(f), f).toBe(true);
    }
    for (const f of ['host', 'username', 'privateKeyFile', 'authProtocol', 'keyboard', 'user']) expect(isSecretField(f), f).toBe(false);
  });

  it('tells exact, embedded and malformed references apart', () => {
    expect(isEnvRef('${env:A_1}')).toBe(true);
    expect(isEnvRef('x${env:A}')).toBe(false);
    expect(isEnvRef('${env:1A}')).toBe(false);
    expect(hasMalformedRef('http://${env:HOST}:${env:PORT}/')).toBe(false);
    expect(hasMalformedRef('${env:HOST')).toBe(true);
    expect(hasMalformedRef('${HOST}')).toBe(true);
  });
});

describe('redact', () => {
  it('replaces each secret, longest first', () => {
    expect(redact('user=abc pass=abcdef', ['abc', 'abcdef'])).toBe('user=*** pass=***');
    expect(redact('nothing here', [])).toBe('nothing here');
    expect(redact('a', [''])).toBe('a');
  });

  it('also hides the JSON- and XML-escaped forms', () => {
    const r = new Redactor(['p"w\\d', 'a&b<c']);
    expect(r.redact(JSON.stringify({ password: 'p"w\\d' }))).toBe('{"password":"***"}');
    expect(r.redact('<password>a&amp;b&lt;c</password>')).toBe('<password>***</password>');
  });

  it('hides what resolveSettings returned', () => {
    const { secrets } = resolveSettings(lab, ENV);
    const log = 'connect 192.0.2.10 admin/nc-pass-1 snmp auth-key-1 priv-key-1 community c0mmunity';
    expect(redact(log, secrets)).toBe('connect 192.0.2.10 admin/*** snmp *** *** community ***');
  });
});
