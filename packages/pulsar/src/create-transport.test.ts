import { describe, expect, it } from 'vitest';
import { createTransport, transportEndpoint } from './create-transport.js';
import { NativePulsarUnavailableError } from './native-transport.js';

describe('transportEndpoint', () => {
  it('maps the binary protocol to the native adapter', () => {
    expect(transportEndpoint('pulsar://127.0.0.1:6650')).toEqual({ kind: 'native', url: 'pulsar://127.0.0.1:6650' });
    expect(transportEndpoint('pulsar+ssl://pulsar:6651', 'native')).toEqual({
      kind: 'native',
      url: 'pulsar+ssl://pulsar:6651',
    });
  });

  it('maps ws and http URLs of the web service port to the WebSocket adapter', () => {
    expect(transportEndpoint('ws://127.0.0.1:8080')).toEqual({ kind: 'websocket', url: 'ws://127.0.0.1:8080' });
    expect(transportEndpoint('http://127.0.0.1:8080/')).toEqual({ kind: 'websocket', url: 'ws://127.0.0.1:8080' });
    expect(transportEndpoint('https://proxy:8443', 'websocket')).toEqual({
      kind: 'websocket',
      url: 'wss://proxy:8443',
    });
  });

  it('refuses a kind that cannot speak to the URL', () => {
    expect(() => transportEndpoint('pulsar://127.0.0.1:6650', 'websocket')).toThrow('websocket Pulsar transport');
    expect(() => transportEndpoint('ws://127.0.0.1:8080', 'native')).toThrow('native Pulsar transport');
    expect(() => transportEndpoint('kafka://broker:9092')).toThrow('scheme "kafka"');
  });
});

describe('createTransport', () => {
  it('says plainly when the native client is not installed', async () => {
    let outcome: unknown;
    try {
      const transport = await createTransport({ url: 'pulsar://127.0.0.1:6650' });
      outcome = transport.kind;
      await transport.close();
    } catch (error) {
      outcome = error;
    }
    // Where pulsar-client is installed this connects; here (no binary) it must fail with the explanation.
    if (outcome === 'native') return;
    expect(outcome).toBeInstanceOf(NativePulsarUnavailableError);
    expect((outcome as Error).message).toContain('PULSAR_TRANSPORT=websocket');
  });
});
