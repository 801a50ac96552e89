import type { DirectorySite, MeetingInfo, MeetingSummary, VideoCodec } from '@giaoban/shared';
import { type FormEvent, useState } from 'react';
import { type MessageKey, useI18n } from '../../i18n/i18n';
import { ApiError, api } from '../../services/api';
import { fromVietnamDateTimeInput, toVietnamDateTimeInput, vietnamMorning } from '../../state/format';
import { apiErrorKey } from './useAsync';

interface Props {
  meeting: MeetingInfo | null;
  directory: DirectorySite[];
  /** Called with the saved meeting. */
  onSaved: (summary: MeetingSummary | null) => void;
}

/** Title, time, host site, chair and floor/connection limits of a meeting. */
export function MeetingDetailsForm({ meeting, directory, onSaved }: Props) {
  const { t } = useI18n();
  const [title, setTitle] = useState(meeting?.title ?? '');
  const [at, setAt] = useState(toVietnamDateTimeInput(meeting?.scheduledAt ?? vietnamMorning(Date.now(), 1)));
  const [hostSiteId, setHost] = useState<string>(
    meeting?.hostSiteId ?? directory.find((s) => s.kind === 'central')?.id ?? directory[0]?.id ?? '',
  );
  const [chairName, setChair] = useState(meeting?.chairName ?? '');
  const [floorMinutes, setFloorMinutes] = useState(String((meeting?.floorSeconds ?? 180) / 60));
  const [maxConnections, setMax] = useState(String(meeting?.maxConnections ?? 1500));
  const [videoCodec, setVideoCodec] = useState<VideoCodec>(meeting?.videoCodec ?? 'vp8');
  // The meeting's media is set up in its codec at the first join: fixed once the tech check opens.
  const codecLocked = meeting !== null && meeting.status !== 'scheduled';
  const [error, setError] = useState<MessageKey | null>(null);
  /** A booking clash in the hub's words (which site, which meeting). */
  const [clash, setClash] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const scheduledAt = fromVietnamDateTimeInput(at);
    if (scheduledAt === null) {
      setError('org.meeting.badTime');
      return;
    }
    setBusy(true);
    setError(null);
    setClash(null);
    const body = {
      title: title.trim(),
      scheduledAt,
      chairName: chairName.trim(),
      floorSeconds: Math.round(Number(floorMinutes) * 60),
      maxConnections: Number(maxConnections),
      ...(codecLocked ? {} : { videoCodec }),
    };
    try {
      const saved = meeting
        ? await api.updateMeeting(meeting.id, body)
        : await api.createMeeting({ ...body, hostSiteId: hostSiteId as never });
      onSaved(saved ?? null);
    } catch (err) {
      if (err instanceof ApiError && err.code === 'CONFLICT' && err.message.startsWith('Booking clash')) {
        setClash(err.message);
      } else setError(apiErrorKey(err) as MessageKey);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="org-form" onSubmit={(e) => void submit(e)} aria-label={t('org.meeting.details')}>
      <div className="field field--wide">
        <label htmlFor="m-title">{t('org.meeting.title')}</label>
        <input
          id="m-title"
          value={title}
          maxLength={300}
          required
          onChange={(e) => setTitle(e.target.value)}
        />
      </div>
      <div className="field">
        <label htmlFor="m-at">{t('org.meeting.scheduledAtVietnam')}</label>
        <input id="m-at" type="datetime-local" value={at} required onChange={(e) => setAt(e.target.value)} />
      </div>
      <div className="field">
        <label htmlFor="m-host">{t('org.meeting.host')}</label>
        <select
          id="m-host"
          value={hostSiteId}
          disabled={meeting !== null}
          onChange={(e) => setHost(e.target.value)}
        >
          {directory.map((s) => (
            <option key={s.id} value={s.id}>
              {s.name}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="m-chair">{t('org.meeting.chair')}</label>
        <input id="m-chair" value={chairName} maxLength={200} onChange={(e) => setChair(e.target.value)} />
      </div>
      <div className="field">
        <label htmlFor="m-floor">{t('org.meeting.floorMinutes')}</label>
        <input
          id="m-floor"
          type="number"
          min={0}
          max={60}
          step={0.5}
          value={floorMinutes}
          onChange={(e) => setFloorMinutes(e.target.value)}
        />
      </div>
      <div className="field">
        <label htmlFor="m-max">{t('org.meeting.maxConnections')}</label>
        <input
          id="m-max"
          type="number"
          min={1}
          max={5000}
          value={maxConnections}
          onChange={(e) => setMax(e.target.value)}
        />
      </div>
      <div className="field">
        <label htmlFor="m-codec">{t('org.meeting.videoCodec')}</label>
        <select
          id="m-codec"
          value={videoCodec}
          disabled={codecLocked}
          aria-describedby={codecLocked ? 'm-codec-locked' : undefined}
          onChange={(e) => setVideoCodec(e.target.value === 'h264' ? 'h264' : 'vp8')}
        >
          <option value="vp8">{t('org.meeting.videoCodec.vp8')}</option>
          <option value="h264">{t('org.meeting.videoCodec.h264')}</option>
        </select>
        {codecLocked ? (
          <p id="m-codec-locked" className="hint">
            {t('org.meeting.videoCodec.locked')}
          </p>
        ) : null}
      </div>
      {error ? (
        <p className="form-error" role="alert">
          {t(error)}
        </p>
      ) : null}
      {clash ? (
        <p className="form-error" role="alert">
          {t('org.book.clash')} {clash}
        </p>
      ) : null}
      <div className="org-form__actions">
        <button type="submit" className="btn btn--primary" disabled={busy || !title.trim() || !hostSiteId}>
          {t(meeting ? 'common.save' : 'org.meeting.create')}
        </button>
      </div>
    </form>
  );
}
