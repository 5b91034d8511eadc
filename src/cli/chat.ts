// npm run chat: talk to Akari in the terminal, through the real webhook path and the built-in local
// LINE platform. Quick-reply options are numbered; type the number to choose one. Pushes (scheduled
// follow-ups) appear as they arrive. /time N moves the clock N minutes forward; /quit leaves.
import { createInterface } from 'node:readline/promises';
import { stdin, stdout } from 'node:process';
import { loadConfig, readEnvironment } from '../config/load-config.ts';
import { startAkari } from '../main.ts';
import { createLocalUser, describeMessage, type ChatOption } from './local-user.ts';

async function main(): Promise<void> {
  const env = readEnvironment(process.env);
  // The chat always runs locally, whatever credentials the environment has.
  const config = loadConfig({
    ...env,
    LINE_CHANNEL_SECRET: undefined,
    LINE_CHANNEL_ACCESS_TOKEN: undefined,
    NODE_ENV: env.NODE_ENV === 'production' ? 'development' : env.NODE_ENV,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: env.CHAT_LOG_LEVEL ?? 'warn',
    LOCAL_TOOLS: 'true',
  });
  const akari = await startAkari(config);
  const user = createLocalUser({ akari, userId: 'Uchat000000000000000000000000000' });
  let options: ChatOption[] = [];

  const print = (messages: unknown[], kind: 'reply' | 'push') => {
    for (const message of messages) {
      const { text, options: opts } = describeMessage(message);
      stdout.write(`\n${kind === 'push' ? '🔔 ' : ''}あかり: ${text.replace(/\n/g, '\n        ')}\n`);
      if (opts.length > 0) {
        options = opts;
        stdout.write(opts.map((o, i) => `  [${i + 1}] ${o.label}`).join('\n') + '\n');
      }
    }
  };
  const unsubscribe = akari.platform!.onDelivery((d) => {
    if (d.userId === user.userId) print(d.messages, d.kind);
  });

  stdout.write('あかりとのチャットです（ローカル）。番号で選択肢を選べます。/time 60 で60分進む、/quit で終了。\n');
  const rl = createInterface({ input: stdin, output: stdout, terminal: stdin.isTTY });
  rl.setPrompt('\nあなた> ');
  rl.prompt();
  for await (const line of rl) {
    const input = line.trim();
    if (input === '/quit' || input === '/exit') break;
    try {
      if (input.startsWith('/time')) {
        const minutes = Number(input.split(/\s+/)[1] ?? '60');
        const result = await user.advanceClock(Number.isFinite(minutes) ? minutes : 60);
        stdout.write(`（時刻: ${result.now}、お知らせ ${result.fired} 件）\n`);
      } else if (/^\d+$/.test(input) && options[Number(input) - 1]) {
        const option = options[Number(input) - 1]!;
        options = [];
        await user.choose(option);
      } else if (input.length > 0) {
        options = [];
        await user.say(input);
      }
    } catch (err) {
      stdout.write(`（エラー: ${(err as Error).message}）\n`);
    }
    rl.prompt();
  }
  rl.close();
  unsubscribe();
  await akari.stop();
}

void main();
