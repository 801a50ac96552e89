import { type ReactNode, useId, useRef } from 'react';

interface Tab {
  id: string;
  label: string;
  content: ReactNode;
  /** Something in this tab waits for the user (drawn so it catches the eye, without selecting it). */
  attention?: boolean;
}

interface Props {
  label: string;
  tabs: Tab[];
  selected: string;
  onSelect: (id: string) => void;
}

/** WAI-ARIA tabs: arrow keys move between tabs, Home/End jump to the ends. */
export function Tabs({ label, tabs, selected, onSelect }: Props) {
  const base = useId();
  const refs = useRef<Array<HTMLButtonElement | null>>([]);
  const index = Math.max(
    0,
    tabs.findIndex((t) => t.id === selected),
  );

  const focus = (i: number) => {
    const next = (i + tabs.length) % tabs.length;
    const tab = tabs[next];
    if (!tab) return;
    onSelect(tab.id);
    refs.current[next]?.focus();
  };

  return (
    <div className="tabs">
      <div
        className="tabs__list"
        role="tablist"
        aria-label={label}
        onKeyDown={(e) => {
          if (e.key === 'ArrowRight') focus(index + 1);
          else if (e.key === 'ArrowLeft') focus(index - 1);
          else if (e.key === 'Home') focus(0);
          else if (e.key === 'End') focus(tabs.length - 1);
          else return;
          e.preventDefault();
        }}
      >
        {tabs.map((tab, i) => (
          <button
            key={tab.id}
            ref={(el) => {
              refs.current[i] = el;
            }}
            type="button"
            role="tab"
            id={`${base}-tab-${tab.id}`}
            aria-selected={i === index}
            aria-controls={`${base}-panel-${tab.id}`}
            tabIndex={i === index ? 0 : -1}
            className={tab.attention && i !== index ? 'tabs__tab tabs__tab--attention' : 'tabs__tab'}
            // A label shortened to fit its row stays readable on hover.
            title={tab.label}
            onClick={() => onSelect(tab.id)}
          >
            {tab.label}
          </button>
        ))}
      </div>
      {tabs.map((tab, i) => (
        <div
          key={tab.id}
          role="tabpanel"
          id={`${base}-panel-${tab.id}`}
          aria-labelledby={`${base}-tab-${tab.id}`}
          hidden={i !== index}
          className="tabs__panel"
        >
          {i === index ? tab.content : null}
        </div>
      ))}
    </div>
  );
}
