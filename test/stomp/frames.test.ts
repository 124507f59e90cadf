import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { encodeFrame, FrameError, FrameParser } from '../../emulators/stomp/frames';

const parseAll = (p: FrameParser, text: string | Buffer) => {
  p.feed(Buffer.from(text));
  const out = [];
  for (let f = p.next(); f; f = p.next()) out.push(f);
  return out;
};

describe('STOMP frame codec', () => {
  it('parses several frames in one chunk and counts heart-beat EOLs between them', () => {
    const p = new FrameParser();
    const eols = p.feed(Buffer.from('\n\r\n'));
    assert.equal(eols, 2);
    const frames = parseAll(p, 'SEND\ndestination:/queue/a\n\none\0\nSEND\r\ndestination:/queue/b\r\n\r\ntwo\0');
    assert.deepEqual(frames.map((f) => [f.headers.destination, f.body.toString()]), [['/queue/a', 'one'], ['/queue/b', 'two']]);
  });

  it('waits for the rest of a frame split across chunks', () => {
    const p = new FrameParser();
    assert.deepEqual(parseAll(p, 'SEND\ndestina'), []);
    assert.deepEqual(parseAll(p, 'tion:/queue/a\ncontent-length:5\n\nab'), []);
    const [f] = parseAll(p, '\0de\0');
    assert.equal(f.body.toString(), 'ab\0de');
  });

  it('unescapes headers except in CONNECT, and keeps the first of repeated headers', () => {
    const [send] = parseAll(new FrameParser(), 'SEND\nkey\\cx:a\\nb\\\\c\\rd\nkey\\cx:second\n\n\0');
    assert.equal(send.headers['key:x'], 'a\nb\\c\rd');
    const [connect] = parseAll(new FrameParser(), 'CONNECT\npasscode:a\\b:c\n\n\0');
    assert.equal(connect.headers.passcode, 'a\\b:c');
  });

  it('rejects malformed frames with a FrameError', () => {
    for (const bad of ['FOO\n\n\0', 'SEND\nno-colon\n\n\0', 'SEND\nx:\\t\n\n\0', 'SEND\ncontent-length:abc\n\n\0', 'SEND\ncontent-length:1\n\nab\0']) {
      assert.throws(() => parseAll(new FrameParser(), bad), FrameError, JSON.stringify(bad));
    }
    assert.throws(() => parseAll(new FrameParser(64), 'SEND\n\n' + 'x'.repeat(100)), /too large/);
  });

  it('encodes with escaping, content-length and a NUL terminator (CONNECTED unescaped)', () => {
    const frame = encodeFrame('MESSAGE', { 'a:b': 'x\ny\\' }, 'body');
    assert.equal(frame.toString(), 'MESSAGE\na\\cb:x\\ny\\\\\ncontent-length:4\n\nbody\0');
    assert.equal(encodeFrame('CONNECTED', { server: 'x:y' }).toString(), 'CONNECTED\nserver:x:y\n\n\0');
    const [back] = parseAll(new FrameParser(), encodeFrame('SEND', { k: 'v:\n' }, Buffer.from([1, 0, 2])));
    assert.deepEqual([...back.body], [1, 0, 2]);
    assert.equal(back.headers.k, 'v:\n');
  });
});
