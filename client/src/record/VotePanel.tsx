import type { VoteView } from '@giaoban/shared';
import { type FormEvent, useEffect, useState } from 'react';
import { useMeeting } from '../state/hooks';
import { useStore } from '../state/store';
import { useRecordI18n } from './i18n';
import { followRecord, recordActions, recordStore } from './recordService';

const EMPTY: VoteView[] = [];

/** The chair's form: a question, its options, how it is counted, open or secret. */
function OpenVoteForm() {
  const { t } = useRecordI18n();
  const [question, setQuestion] = useState('');
  const [options, setOptions] = useState('');
  const [counting, setCounting] = useState<'site' | 'delegate'>('site');
  const [secret, setSecret] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const list = options
      .split('\n')
      .map((o) => o.trim())
      .filter(Boolean);
    if (await recordActions.openVote(question.trim(), list, counting, secret)) {
      setQuestion('');
      setOptions('');
    }
  };
  return (
    <form className="vote-open" onSubmit={(e) => void submit(e)}>
      <label>
        {t('vote.question')}
        <input value={question} onChange={(e) => setQuestion(e.target.value)} maxLength={500} required />
      </label>
      <label>
        {t('vote.options')}
        <textarea value={options} onChange={(e) => setOptions(e.target.value)} rows={3} />
      </label>
      <label>
        {t('vote.counting')}
        <select value={counting} onChange={(e) => setCounting(e.target.value as 'site' | 'delegate')}>
          <option value="site">{t('vote.counting.site')}</option>
          <option value="delegate">{t('vote.counting.delegate')}</option>
        </select>
      </label>
      <label>
        <input type="checkbox" checked={secret} onChange={(e) => setSecret(e.target.checked)} />
        {t('vote.secret')}
      </label>
      <button type="submit" className="btn btn--primary">
        {t('vote.open')}
      </button>
    </form>
  );
}

/** A bridge point's ballot: one option, or the delegates' voices per option. */
function Ballot({ vote, delegates }: { vote: VoteView; delegates: number }) {
  const { t } = useRecordI18n();
  const [choice, setChoice] = useState<number | null>(null);
  const [counts, setCounts] = useState<number[]>(() => vote.options.map(() => 0));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (vote.counting === 'site') {
      if (choice !== null) void recordActions.castChoice(vote.id, choice);
    } else void recordActions.castCounts(vote.id, counts);
  };
  return (
    <form className="vote-ballot" onSubmit={submit}>
      {vote.counting === 'site' ? (
        <fieldset>
          <legend>{t('vote.choose')}</legend>
          {vote.options.map((option, i) => (
            <label key={option}>
              <input
                type="radio"
                name={`vote-${vote.id}`}
                checked={choice === i}
                onChange={() => setChoice(i)}
              />
              {option}
            </label>
          ))}
        </fieldset>
      ) : (
        <fieldset>
          <legend>{t('vote.choose')}</legend>
          {vote.options.map((option, i) => (
            <label key={option}>
              {t('vote.voices', { option })}
              <input
                type="number"
                min={0}
                max={delegates}
                value={counts[i] ?? 0}
                onChange={(e) => setCounts(counts.map((c, k) => (k === i ? Number(e.target.value) : c)))}
              />
            </label>
          ))}
        </fieldset>
      )}
      <button
        type="submit"
        className="btn btn--primary"
        disabled={vote.counting === 'site' && choice === null}
      >
        {t('vote.cast')}
      </button>
    </form>
  );
}

/** One vote: the question, then the ballot, the live tally (moderators) or the result. */
function VoteCard({ vote, moderator }: { vote: VoteView; moderator: boolean }) {
  const { t } = useRecordI18n();
  const self = useMeeting((s) => s.self);
  const site = useMeeting((s) => s.snapshot?.sites.find((x) => x.id === s.self?.siteId) ?? null);
  const tally = useStore(recordStore, (s) => s.tallies.find((x) => x.voteId === vote.id) ?? null);
  const isChair = self?.role === 'chair';
  const voted = site !== null && vote.voters.some((v) => v.siteId === site.id);
  const eligible = site !== null && vote.eligibleSiteIds.includes(site.id);
  const counts = vote.totals ?? tally?.totals ?? null;
  return (
    <article className="vote-card" aria-label={vote.question} data-testid="vote-card">
      <h4>
        {vote.question} {vote.secret ? t('vote.secretNote') : null}
      </h4>
      <p role="status">
        {vote.status === 'closed'
          ? t('vote.closed')
          : t('vote.tally', { voted: vote.voters.length, eligible: vote.eligibleSiteIds.length })}
      </p>
      {counts && (moderator || vote.status === 'closed') ? (
        <ul className="vote-counts" data-testid="vote-counts">
          {vote.options.map((option, i) => (
            <li key={option}>{t('vote.optionCount', { option, count: counts[i] ?? 0 })}</li>
          ))}
        </ul>
      ) : null}
      {vote.status === 'open' && eligible && !voted ? (
        <Ballot vote={vote} delegates={site?.declaredDelegates ?? 0} />
      ) : null}
      {vote.status === 'open' && voted ? <p>{t('vote.voted')}</p> : null}
      {vote.status === 'open' && isChair ? (
        <button type="button" className="btn" onClick={() => void recordActions.closeVote(vote.id)}>
          {t('vote.close')}
        </button>
      ) : null}
    </article>
  );
}

/** Votes (biểu quyết): sites vote from here; the chair opens and closes; moderators see the live tally. */
export function VotePanel() {
  const { t } = useRecordI18n();
  const role = useMeeting((s) => s.self?.role ?? null);
  const votes = useMeeting((s) => s.snapshot?.votes ?? EMPTY);
  const moderator = role === 'chair' || role === 'operator';
  useEffect(() => followRecord(moderator), [moderator]);
  const shown = [...votes].reverse().slice(0, 5);
  const anyOpen = votes.some((v) => v.status === 'open');
  return (
    <section className="panel vote-panel" aria-label={t('vote.title')} data-testid="vote-panel">
      <h3>{t('vote.title')}</h3>
      {role === 'chair' && !anyOpen ? <OpenVoteForm /> : null}
      {shown.length === 0 ? <p>{t('vote.none')}</p> : null}
      {shown.map((vote) => (
        <VoteCard key={vote.id} vote={vote} moderator={moderator} />
      ))}
    </section>
  );
}
