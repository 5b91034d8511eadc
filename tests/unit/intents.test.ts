import { describe, expect, it } from 'vitest';
import { textIntent } from '../../src/conversation/kit/intents.ts';

describe('textIntent: changing a detail, typed', () => {
  it.each([
    ['お名前を変更', 'userName'],
    ['名前を直したい', 'userName'],
    ['応募先を直したいです', 'employerName'],
    ['会社名を変更します。', 'employerName'],
    ['担当の方を変更してください', 'contactPerson'],
    ['営業時間を修正', 'businessHours'],
    ['強みを書き直したい', 'strengths'],
  ])('%j → edit %s', (text, field) => {
    expect(textIntent(text)).toEqual({ kind: 'edit', field });
  });

  it.each([['名前'], ['変更したい'], ['株式会社ミライの名前を変更しようか迷っています'], ['働き方を変えたい'], ['会社を変えたい']])('%j is no request to change a detail', (text) => {
    expect(textIntent(text).kind).toBe('other');
  });
});
