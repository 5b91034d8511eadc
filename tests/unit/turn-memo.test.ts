import { describe, expect, it } from 'vitest';
import { textIntent } from '../../src/conversation/kit/intents.ts';
import { factsOf } from '../../src/conversation/kit/questions.ts';
import { inTurn } from '../../src/conversation/turn-memo.ts';

const NOW = new Date('2025-03-10T03:00:00Z');
const MESSAGE = '3月6日に3回電話がありました。非通知でした';

describe('answers about a message within one turn', () => {
  it('reads a message once per turn: asked again, the same answer comes back', () => {
    inTurn(() => {
      const first = factsOf(MESSAGE, NOW);
      expect(first).toMatchObject({ daysElapsed: 4, callCount: 3, reasons: ['hiddenNumber'] });
      expect(factsOf(MESSAGE, NOW)).toBe(first);
      expect(textIntent('次へ')).toBe(textIntent('次へ'));
      // The answer depends on when the message was sent, and on the message itself.
      expect(factsOf(MESSAGE, new Date('2025-03-12T03:00:00Z')).daysElapsed).toBe(6);
      expect(factsOf('昨日電話がありました', NOW).daysElapsed).toBe(1);
    });
  });

  it('forgets everything when the turn ends, and keeps nothing outside one', () => {
    const inFirstTurn = inTurn(() => factsOf(MESSAGE, NOW));
    const inSecondTurn = inTurn(() => factsOf(MESSAGE, NOW));
    expect(inSecondTurn).not.toBe(inFirstTurn);
    expect(inSecondTurn).toEqual(inFirstTurn);
    expect(factsOf(MESSAGE, NOW)).not.toBe(factsOf(MESSAGE, NOW));
    expect(textIntent('次へ')).not.toBe(textIntent('次へ'));
  });

  it('hands out frozen answers, so no caller can change what the next one gets', () => {
    inTurn(() => {
      const facts = factsOf(MESSAGE, NOW);
      expect(() => facts.reasons!.push('other')).toThrow(TypeError);
      expect(() => {
        (facts as { daysElapsed?: number }).daysElapsed = 99;
      }).toThrow(TypeError);
      expect(factsOf(MESSAGE, NOW).daysElapsed).toBe(4);
    });
    expect(Object.isFrozen(textIntent('ヘルプ'))).toBe(true);
  });

  it('gives a nested turn its own memory and gives the outer one back after it', () => {
    inTurn(() => {
      const outer = factsOf(MESSAGE, NOW);
      const inner = inTurn(() => factsOf(MESSAGE, NOW));
      expect(inner).not.toBe(outer);
      expect(factsOf(MESSAGE, NOW)).toBe(outer);
    });
  });
});
