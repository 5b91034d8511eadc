/**
 * Whether a short answer to "what is the name of …?" cannot be a name: a command ("お詫び",
 * "台本", "先に結論を教えてください"), a refusal ("教えたくないです", "お店の名前は伏せます"), a
 * question, or a sentence about something else. Such a reply is carried out or declined, never
 * saved as the user's, the employer's or the contact person's name.
 */
import { normalize } from './normalize.ts';

/** Declines to tell: the question is skipped, kindly. */
const REFUSAL =
  /(?:教え|言い|答え|書き|伝え|出し)たく(?:ない|ありません|なかった)|(?:言え|教えられ|答えられ|書け)(?:ない|ません)|伏せ|ふせ|秘密|ひみつ|内緒|ないしょ|非公開|匿名|控え(?:ます|たい|させ)|やめておき|遠慮(?:します|させ)|ノーコメント|パスで|なしで(?:お願い)?/u;

/** Asks for something, asks a question, or tells a story: no name. */
const NOT_A_NAME =
  /教えて|ください|下さい|ほしい|欲しい|お願い|見せて|作って|書いて|考えて|出して|したい|します|しました|でしょうか|ですか|ますか|ません|[?？]|お詫び|おわび|謝罪|台本|スクリプト|例文|テンプレ|結論|先に|まず|どうすれば|どうしたら|なんで|なぜ|わから|分から|芸名|ハンドルネーム|ニックネーム|あだ名|源氏名|本名じゃ|電話|着信|面接|連絡|[。]/u;

/** Ends like a sentence about what happened ("寝ていて気づかなかったです"), not a name. */
const SENTENCE_END = /(?:なかった|かった|ました|ません|ていた|ている|ていて|てた|てる|った|んだ|いた|した|です(?:ね|よ)|だよ|けど|から|ので)(?:です)?[。!！…]*$/u;

export type DetailReading = 'refusal' | 'notAName' | undefined;

/** 'refusal' or 'notAName' when the reply is no value for a name; undefined when it may be one. */
export function notADetail(text: string): DetailReading {
  const t = normalize(text).trim();
  if (REFUSAL.test(t)) return 'refusal';
  if (NOT_A_NAME.test(t) || SENTENCE_END.test(t)) return 'notAName';
  return undefined;
}
