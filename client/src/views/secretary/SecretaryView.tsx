import type { MinuteKind } from '@giaoban/shared';
import { type FormEvent, useEffect, useState } from 'react';
import { AudioUnlockBanner, NoticeList, ReconnectingBanner } from '../../components/Banners';
import { MeetingHeader } from '../../components/MeetingHeader';
import { ProgramStage } from '../../components/ProgramStage';
import { useI18n } from '../../i18n/i18n';
import { secretary } from '../../services/actions';
import { formatTime } from '../../state/format';
import { useMeeting } from '../../state/hooks';
import { AgendaPanel } from '../console/AgendaPanel';

const KINDS: MinuteKind[] = ['minute', 'conclusion', 'petition'];

/**
 * The secretary's workspace: the current item, its minutes, conclusions and petitions, and a
 * form to add one. (The collaborative editor comes with the minutes issue.)
 */
export function SecretaryView() {
  const { t, locale } = useI18n();
  const agenda = useMeeting((s) => s.snapshot?.agenda ?? null);
  const minutes = useMeeting((s) => s.minutes);
  const [itemId, setItemId] = useState<string>('');
  const [kind, setKind] = useState<MinuteKind>('minute');
  const [text, setText] = useState('');
  const [saving, setSaving] = useState(false);

  // Follow the meeting's current item until the secretary picks another one.
  const current = agenda?.currentItemId ?? '';
  useEffect(() => setItemId(current), [current]);
  const selected = itemId || current;
  const entries = minutes.filter((m) => m.agendaItemId === selected);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!selected || !text.trim()) return;
    setSaving(true);
    const saved = await secretary.addMinute(selected, kind, text.trim());
    setSaving(false);
    if (saved) setText('');
  };

  return (
    <div className="layout layout--secretary" data-testid="secretary-view">
      <MeetingHeader />
      <ReconnectingBanner />
      <AudioUnlockBanner />
      <div className="secretary">
        <div className="secretary__left">
          <ProgramStage className="stage--small" />
          <AgendaPanel readOnly />
        </div>
        <section className="secretary__main panel" aria-label={t('minutes.title')}>
          <div className="field">
            <label htmlFor="minutes-item">{t('minutes.item')}</label>
            <select id="minutes-item" value={selected} onChange={(e) => setItemId(e.target.value)}>
              {!selected ? <option value="">{t('minutes.noItem')}</option> : null}
              {(agenda?.items ?? []).map((i, n) => (
                <option key={i.id} value={i.id}>
                  {n + 1}. {i.title}
                </option>
              ))}
            </select>
          </div>
          <ol className="minutes" data-testid="minutes-list">
            {entries.length === 0 ? <li className="empty">{t('minutes.empty')}</li> : null}
            {entries.map((m) => (
              <li key={m.id} className={`minute minute--${m.kind}`}>
                <div className="minute__meta">
                  <span className="tag">{t(`minutes.kind.${m.kind}`)}</span>
                  <span>{formatTime(m.at, locale)}</span>
                  <span>{m.authorName}</span>
                  {m.confirmed ? <span className="tag tag--ok">{t('minutes.confirmed')}</span> : null}
                </div>
                <p className="minute__text">{m.text}</p>
              </li>
            ))}
          </ol>
          <form className="minutes__form" onSubmit={(e) => void submit(e)}>
            <fieldset className="segmented" aria-label={t('minutes.kind')}>
              {KINDS.map((k) => (
                <label key={k} className="segmented__option">
                  <input
                    type="radio"
                    name="minute-kind"
                    value={k}
                    checked={kind === k}
                    onChange={() => setKind(k)}
                  />
                  <span>{t(`minutes.kind.${k}`)}</span>
                </label>
              ))}
            </fieldset>
            <label htmlFor="minutes-text" className="sr-only">
              {t('minutes.text')}
            </label>
            <textarea
              id="minutes-text"
              rows={4}
              value={text}
              placeholder={t('minutes.placeholder')}
              onChange={(e) => setText(e.target.value)}
            />
            <button type="submit" className="btn btn--primary" disabled={saving || !selected || !text.trim()}>
              {t(saving ? 'minutes.saving' : 'minutes.add')}
            </button>
          </form>
        </section>
      </div>
      <NoticeList />
    </div>
  );
}
