import type { ChatMessage, SiteId } from '@giaoban/shared';
import { type FormEvent, useEffect, useState } from 'react';
import { useMeeting } from '../state/hooks';
import { useStore } from '../state/store';
import { useRecordI18n } from './i18n';
import { followRecord, recordActions, recordStore } from './recordService';

const NO_SITES: never[] = [];
const NO_MUTES: SiteId[] = [];

/**
 * The chat: the whole meeting, and each site's private thread with the operators. A site sees its
 * own thread; an operator picks any; chair and operator delete messages and mute a site's chat.
 */
export function ChatPanel() {
  const { t } = useRecordI18n();
  const self = useMeeting((s) => s.self);
  const sites = useMeeting((s) => s.snapshot?.sites ?? NO_SITES);
  const muted = useMeeting((s) => s.snapshot?.moderation.chatMutedSiteIds ?? NO_MUTES);
  const messages = useStore(recordStore, (s) => s.messages);
  const role = self?.role ?? null;
  const moderator = role === 'chair' || role === 'operator';
  const [thread, setThread] = useState<SiteId | null>(null);
  const [text, setText] = useState('');
  useEffect(() => followRecord(moderator), [moderator]);
  const ownSite = (self?.siteId ?? null) as SiteId | null;
  const threads: { id: SiteId | null; label: string }[] = [{ id: null, label: t('chat.thread.all') }];
  if (role === 'site' && ownSite) threads.push({ id: ownSite, label: t('chat.thread.private') });
  if (role === 'operator')
    for (const s of sites.filter((x) => !x.isHost))
      threads.push({ id: s.id, label: t('chat.thread.site', { site: s.name }) });
  const shown = messages.filter((m) => m.thread === thread);
  const iAmMuted = role === 'site' && ownSite !== null && muted.includes(ownSite);
  const mayWrite = role !== 'observer' && !iAmMuted;
  const siteName = (id: string | null) => sites.find((s) => s.id === id)?.name ?? id ?? '';
  const send = async (e: FormEvent) => {
    e.preventDefault();
    if (!text.trim()) return;
    if (await recordActions.sendChat(text, thread)) setText('');
  };
  return (
    <section className="panel chat-panel" aria-label={t('chat.title')} data-testid="chat-panel">
      <h3>{t('chat.title')}</h3>
      {threads.length > 1 ? (
        <label>
          {t('chat.thread')}
          <select
            value={thread ?? ''}
            onChange={(e) => setThread(e.target.value === '' ? null : (e.target.value as SiteId))}
          >
            {threads.map((th) => (
              <option key={th.id ?? ''} value={th.id ?? ''}>
                {th.label}
              </option>
            ))}
          </select>
        </label>
      ) : null}
      <ul className="chat-list" aria-label={t('chat.list')} aria-live="polite">
        {shown.length === 0 ? <li>{t('chat.empty')}</li> : null}
        {shown.map((m: ChatMessage) => (
          <li key={m.id} className="chat-message">
            <strong>{m.authorName}</strong>{' '}
            {m.deletedAt === null ? m.text : <em>{t('chat.deleted', { by: m.deletedBy ?? '' })}</em>}
            {moderator && m.deletedAt === null ? (
              <button
                type="button"
                className="btn btn--small"
                aria-label={t('chat.delete', { author: m.authorName })}
                onClick={() => void recordActions.deleteChat(m)}
              >
                ✕
              </button>
            ) : null}
            {moderator && m.authorRole === 'site' && m.authorSiteId ? (
              <button
                type="button"
                className="btn btn--small"
                onClick={() =>
                  void recordActions.muteChat(
                    m.authorSiteId as SiteId,
                    !muted.includes(m.authorSiteId as SiteId),
                  )
                }
              >
                {muted.includes(m.authorSiteId)
                  ? t('chat.unmute', { site: siteName(m.authorSiteId) })
                  : t('chat.mute', { site: siteName(m.authorSiteId) })}
              </button>
            ) : null}
          </li>
        ))}
      </ul>
      {iAmMuted ? <p role="status">{t('chat.muted')}</p> : null}
      {mayWrite ? (
        <form className="chat-form" onSubmit={(e) => void send(e)}>
          <label>
            {t('chat.message')}
            <input value={text} onChange={(e) => setText(e.target.value)} maxLength={2000} />
          </label>
          <button type="submit" className="btn btn--primary">
            {t('chat.send')}
          </button>
        </form>
      ) : null}
    </section>
  );
}
