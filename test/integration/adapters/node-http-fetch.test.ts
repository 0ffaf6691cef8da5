import { createNodeHttpFetch } from '../../../functions/adapters/local/node-http-fetch';
import { startFakeUpstream, type FakeUpstream } from '../../helpers/fake-upstream';

describe('createNodeHttpFetch (the local server’s upstream fetch)', () => {
  let upstream: FakeUpstream;
  const fetchNode = createNodeHttpFetch();

  beforeAll(async () => {
    upstream = await startFakeUpstream((_request, res) => {
      res.writeHead(500).end();
    });
  });
  afterAll(() => upstream.close());

  it('sends method, headers and body, and answers with a Web Response carrying status, headers and JSON', async () => {
    upstream.setHandler((_request, res) => {
      res.writeHead(201, { 'content-type': 'application/json', 'x-extra': 'yes' }).end('{"ok":true}');
    });

    const response = await fetchNode(`${upstream.url}/v1/chat/completions`, { method: 'POST', headers: { 'Content-Type': 'application/json', authorization: 'Bearer k' }, body: '{"a":1}' });

    const received = upstream.requests.at(-1);
    expect(received).toMatchObject({ method: 'POST', url: '/v1/chat/completions', body: '{"a":1}' });
    expect(received?.headers).toMatchObject({ 'content-type': 'application/json', authorization: 'Bearer k', 'content-length': '7' });
    expect(response.status).toBe(201);
    expect(response.ok).toBe(true);
    expect(response.headers.get('x-extra')).toBe('yes');
    expect(await response.json()).toEqual({ ok: true });
  });

  it('streams an event-stream body: the first event is readable before the upstream ends the response', async () => {
    let finish: () => void = () => undefined;
    upstream.setHandler((_request, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: 1\n\n');
      finish = () => res.end('data: [DONE]\n\n');
    });

    const response = await fetchNode(`${upstream.url}/stream`, { method: 'POST', body: '{}' });
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const first = await reader.read();
    finish();
    let rest = '';
    for (let next = await reader.read(); !next.done; next = await reader.read()) rest += new TextDecoder().decode(next.value);

    expect(new TextDecoder().decode(first.value)).toBe('data: 1\n\n');
    expect(rest).toBe('data: [DONE]\n\n');
  });

  it('aborting mid-stream errors the body', async () => {
    upstream.setHandler((_request, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: 1\n\n');
    });
    const controller = new AbortController();

    const response = await fetchNode(`${upstream.url}/stream`, { method: 'POST', body: '{}', signal: controller.signal });
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    await reader.read();
    controller.abort(new Error('client gone'));

    await expect(reader.read()).rejects.toBeDefined();
  });

  it('errors the body with a TypeError when the upstream cuts the response mid-body', async () => {
    upstream.setHandler((_request, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: 1\n\n', () => res.socket?.destroy());
    });

    const response = await fetchNode(`${upstream.url}/stream`, { method: 'POST', body: '{}' });
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const first = await reader.read();

    expect(new TextDecoder().decode(first.value)).toBe('data: 1\n\n');
    await expect(reader.read()).rejects.toBeInstanceOf(TypeError);
  });

  it('pauses the upstream read while the body is not read (backpressure), and delivers every byte once it is', async () => {
    const piece = Buffer.alloc(64 * 1024, 'x');
    const pieces = 512; // 32 MiB: far more than the socket buffers and the body's queue hold
    let accepted = 0;
    upstream.setHandler((_request, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      let sent = 0;
      const writeMore = (): void => {
        while (sent < pieces) {
          sent += 1;
          const more = res.write(piece, () => (accepted += piece.length));
          if (!more) return void res.once('drain', writeMore);
        }
        res.end();
      };
      writeMore();
    });

    const response = await fetchNode(`${upstream.url}/stream`, { method: 'POST', body: '{}' });
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const first = await reader.read();
    // Left unread for a while, the body stops taking bytes: the upstream's writes back up.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const acceptedWhileUnread = accepted;
    let received = first.value?.byteLength ?? 0;
    for (let next = await reader.read(); !next.done; next = await reader.read()) received += next.value.byteLength;

    expect(acceptedWhileUnread).toBeLessThan((pieces * piece.length) / 4);
    expect(received).toBe(pieces * piece.length);
  });

  it('rejects with the signal’s reason when aborted before the answer, and with a TypeError when the connection fails', async () => {
    upstream.setHandler(() => undefined);
    const controller = new AbortController();
    const reason = new Error('deadline');

    const pending = fetchNode(`${upstream.url}/slow`, { method: 'POST', body: '{}', signal: controller.signal });
    controller.abort(reason);

    await expect(pending).rejects.toBe(reason);
    await expect(fetchNode('http://127.0.0.1:9/closed', { method: 'POST', body: '{}' })).rejects.toBeInstanceOf(TypeError);
  });
});
