// Drives a WASM Sender and Receiver over MemoryChannel pairs the way the page drives them over
// RTCDataChannels: actions out of the state machines, frames pumped by the C++ adapter against
// bufferedAmount. Shared by the Node tests and the engine benchmark.
//
// Each payload byte is copied three times end to end, and only where the browser copies too: file
// bytes into WASM (onRead), the channel's own copy at send(), the received frame into WASM
// (onFrame, straight into its block). Writes use the opt-in views of WASM memory ({writeViews:
// true}), consumed before onWriteDone as the contract asks; `writeViews: false` takes the default
// path, where every write hands out an owned copy.
import { channelPair } from './memory_channel.mjs';

const HIGH_WATERMARK = 4 * 1024 * 1024;
const LOW_WATERMARK = 1024 * 1024;

export async function runTransfer(core, source, options = {}) {
  const {
    name = 'file.bin',
    mtimeMs = 1700000000000,
    blockSize = 1024 * 1024,
    window = 8,
    maxMessageBytes = 65536,
    flipBinaryMessage, // {index, offset}
    dropAfterFrames, // cut the connection once, after this many frames reached the receiver
    keepOutput = true,
    writeViews = true,
  } = options;
  const sender = new core.Sender({ name, size: source.length, mtimeMs }, { blockSize });
  const output = keepOutput ? new Uint8Array(source.length) : null;
  let receiver = null;
  let framesReceived = 0;
  let dropped = false;
  let channels;
  const result = { drops: 0, firstFragments: new Map(), wireBytes: 0 };

  const finished = new Promise((resolve, reject) => {
    let senderDone = false;
    let receiverDone = false;
    const maybeResolve = () => senderDone && receiverDone && resolve();

    const senderChannel = () => channels[0];
    const receiverChannel = () => channels[1];

    const pump = () => {
      if (senderChannel().readyState === 'open') sender.pump(1, senderChannel(), HIGH_WATERMARK, LOW_WATERMARK);
    };
    const drainSender = () => {
      for (let a = sender.nextAction(); a !== null; a = sender.nextAction()) {
        if (a.type === 'read') {
          sender.onRead(a.block, source.subarray(a.offset, a.offset + a.length));
        } else if (a.type === 'control') {
          if (senderChannel().readyState === 'open') senderChannel().send(a.text);
        } else if (a.type === 'finished') {
          senderDone = true;
        } else if (a.type === 'failed') {
          result.senderError = a;
          senderDone = true;
        }
      }
      pump();
      maybeResolve();
    };
    const drainReceiver = () => {
      for (let a = receiver.nextAction(); a !== null; a = receiver.nextAction()) {
        if (a.type === 'control') {
          if (receiverChannel().readyState === 'open') receiverChannel().send(a.text);
        } else if (a.type === 'write') {
          if (output) output.set(a.bytes, a.offset);
          receiver.onWriteDone(a.block);
        } else if (a.type === 'completed') {
          result.rootHex = a.rootHex;
          result.completedSize = a.size;
          receiverDone = true;
        } else if (a.type === 'failed') {
          result.receiverError = a;
          receiverDone = true;
        } else if (a.type === 'discard') {
          output?.fill(0);
        } else if (a.type === 'reoffered') {
          // The person would be asked again; here they say yes.
          result.reoffers = (result.reoffers ?? 0) + 1;
          receiver.accept();
        }
      }
      maybeResolve();
    };

    const wire = () => {
      channels = channelPair({ maxMessageBytes });
      const [toReceiver, toSender] = channels;
      if (flipBinaryMessage && !dropped) toReceiver.flips.set(flipBinaryMessage.index, flipBinaryMessage.offset);
      toReceiver.onbufferedamountlow = pump;
      toReceiver.onmessage = ({ data }) => {
        try {
          if (typeof data === 'string') {
            const status = sender.onControl(1, data);
            if (!status.ok && !result.senderError) result.senderProtocolError = status;
          }
          drainSender();
        } catch (e) {
          reject(e);
        }
      };
      toSender.onmessage = ({ data }) => {
        try {
          if (typeof data === 'string') {
            if (receiver === null) {
              const message = core.decodeControl(data);
              if (!message.ok || message.type !== 'offer') throw new Error(`expected an offer, got ${data}`);
              receiver = new core.Receiver(data, { window, writeViews });
              receiver.accept();
            } else {
              receiver.onControl(data);
            }
          } else {
            const bytes = new Uint8Array(data);
            result.wireBytes += bytes.byteLength;
            if (bytes.byteLength >= 16) {
              const header = new DataView(data);
              if (header.getUint32(12, true) === 0) {
                const block = header.getUint32(8, true);
                result.firstFragments.set(block, (result.firstFragments.get(block) ?? 0) + 1);
              }
            }
            framesReceived += 1;
            receiver.onFrame(bytes);
            if (dropAfterFrames !== undefined && !dropped && framesReceived >= dropAfterFrames) {
              dropped = true;
              result.drops += 1;
              result.verifiedAtDrop = receiver.progress().bytesVerified;
              channels[0].close();
              sender.pausePeer(1);
              receiver.onDisconnected();
              setTimeout(() => {
                wire();
                receiver.onReconnected();
                drainReceiver();
              }, 5);
              return;
            }
          }
          drainReceiver();
        } catch (e) {
          reject(e);
        }
      };
    };

    wire();
    const added = sender.addPeer(1, 7, maxMessageBytes);
    if (!added.ok) throw new Error(added.error);
    drainSender();
  });

  await finished;
  result.output = output;
  result.senderRootHex = sender.rootHex();
  result.blocksRead = sender.blocksRead();
  result.receiverProgress = receiver?.progress();
  result.maxMessage = channels[0].stats.maxMessage;
  sender.delete();
  receiver?.delete();
  return result;
}
