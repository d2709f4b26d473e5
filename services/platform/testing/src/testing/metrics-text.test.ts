import { scrapedValue } from './metrics-text';

const scrape = `# HELP moocflix_outbox_pending_events Events committed to the outbox and not yet published
# TYPE moocflix_outbox_pending_events gauge
moocflix_outbox_pending_events{service="users",process="moocflix"} 0
moocflix_outbox_pending_events{service="courses",process="moocflix"} 12
moocflix_outbox_pending_events_other{service="courses"} 7
process_open_fds 31
`;

describe('scrapedValue', () => {
  it('finds the series by name and the labels asked for, whatever other labels it has', () => {
    expect(scrapedValue(scrape, 'moocflix_outbox_pending_events', { service: 'courses' })).toBe(12);
    expect(
      scrapedValue(scrape, 'moocflix_outbox_pending_events', { service: 'users', process: 'moocflix' }),
    ).toBe(0);
    expect(scrapedValue(scrape, 'process_open_fds', {})).toBe(31);
  });

  it('is undefined when no series has that name and those labels', () => {
    expect(scrapedValue(scrape, 'moocflix_outbox_pending_events', { service: 'content' })).toBeUndefined();
    expect(
      scrapedValue(scrape, 'moocflix_outbox_pending_events', { service: 'users', process: 'other' }),
    ).toBeUndefined();
    expect(scrapedValue(scrape, 'moocflix_outbox_pending', { service: 'courses' })).toBeUndefined();
  });
});
