import { describe, expect, it } from 'vitest';
import { profileChanges, withoutMessageDetails } from '../../src/conversation/side-events.ts';

describe('what an unsent message gave the profile', () => {
  it('records each field a turn changed, with its value before and after', () => {
    expect(profileChanges({ userName: '山田', strengths: ['a'] }, { userName: '田中', strengths: ['a', 'b'], daysElapsed: 3 })).toEqual({
      profile: { userName: { before: '山田', after: '田中' }, strengths: { before: ['a'], after: ['a', 'b'] }, daysElapsed: { after: 3 } },
    });
    expect(profileChanges({ userName: '山田' }, { userName: '山田' })).toBeUndefined();
    expect(profileChanges(undefined, { employerName: 'X社' })).toEqual({ profile: { employerName: { after: 'X社' } } });
  });

  it('forgets a detail still holding the value the message gave, restoring the one before', () => {
    const details = profileChanges({ userName: '山田' }, { userName: '田中', employerName: 'X社' })!;
    expect(withoutMessageDetails({ userName: '田中', employerName: 'X社', daysElapsed: 3 }, details)).toEqual({
      profile: { userName: '山田', daysElapsed: 3 },
      forgotten: ['userName', 'employerName'],
    });
  });

  it('keeps a detail the user changed since (their newer word), and only takes out the list items the message added', () => {
    const details = profileChanges({ strengths: ['誠実'] }, { strengths: ['誠実', '体力'], employerName: 'X社' })!;
    expect(withoutMessageDetails({ strengths: ['誠実', '体力', '笑顔'], employerName: 'Y社' }, details)).toEqual({
      profile: { strengths: ['誠実', '笑顔'], employerName: 'Y社' },
      forgotten: ['strengths'],
    });
    const onlyItem = profileChanges({}, { strengths: ['体力'] })!;
    expect(withoutMessageDetails({ strengths: ['体力'] }, onlyItem)).toEqual({ profile: {}, forgotten: ['strengths'] });
  });
});
