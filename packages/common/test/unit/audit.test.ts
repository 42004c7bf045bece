import { auditEntry } from '../../src/audit';

describe('auditEntry', () => {
  const base = { actorId: '0190a1b2-0000-7000-8000-000000000001', action: 'product.updated', targetType: 'Product', targetId: 'p1' };

  it('keeps only the fields that changed when both sides are given', () => {
    const entry = auditEntry({ ...base, before: { name: 'Lamp', price: '10.00', images: [] }, after: { name: 'Lamp', price: '12.50', images: [] } });
    expect(JSON.parse(entry.details)).toEqual({ before: { price: '10.00' }, after: { price: '12.50' } });
  });

  it('shows a field that appears or disappears as null on the other side, and keeps context beside them', () => {
    const entry = auditEntry({ ...base, before: { onHand: 5 }, after: { onHand: 7, note: 'x' }, context: { reason: 'found more' } });
    expect(JSON.parse(entry.details)).toEqual({ reason: 'found more', before: { onHand: 5, note: null }, after: { onHand: 7, note: 'x' } });
  });

  it('keeps the whole after of a creation, and stamps the entry with a time-ordered id and its time', () => {
    const at = new Date('2026-12-02T01:00:00.000Z');
    const entry = auditEntry({ ...base, action: 'product.created', before: null, after: { name: 'Lamp' } }, at);
    expect(JSON.parse(entry.details)).toEqual({ before: null, after: { name: 'Lamp' } });
    expect(entry.at).toBe(at.toISOString());
    expect(entry.entryId.slice(0, 13).replace('-', '')).toBe(at.getTime().toString(16).padStart(12, '0'));
    expect(entry).toMatchObject({ actorId: base.actorId, action: 'product.created', targetType: 'Product', targetId: 'p1' });
  });
});
