import type { InformerHandler } from './informer';
import type { KubeObject } from './objects';
import { watchAsOne, watchFor, watchOwned } from './watches';

function fakeInformer<T>() {
  const handlers: InformerHandler<T>[] = [];
  return {
    on: (handler: InformerHandler<T>) => void handlers.push(handler),
    emit: (object: T) => handlers.forEach((h) => h({ type: 'update', object } as never)),
  };
}
const owned = (ownerKind: string, controller = true): KubeObject => ({
  metadata: {
    name: 'child',
    namespace: 'ns',
    ownerReferences: [{ apiVersion: 'v1', kind: ownerKind, name: 'parent', uid: 'u', controller }],
  },
});

test('For enqueues the object, Owns its controlling owner of that kind only, AsOne the one key', () => {
  const keys: string[] = [];
  const controller = { enqueue: (key: string) => void keys.push(key) };
  const own = fakeInformer<KubeObject>();
  const children = fakeInformer<KubeObject>();
  const any = fakeInformer<KubeObject>();
  watchFor(controller, own);
  watchOwned(controller, children, 'TranscodeJob');
  watchAsOne(controller, any, 'admission');

  own.emit({ metadata: { name: 'tj-1', namespace: 'ns' } });
  children.emit(owned('TranscodeJob'));
  children.emit(owned('ReplicaSet'));
  children.emit(owned('TranscodeJob', false));
  any.emit({ metadata: { name: 'whatever' } });
  expect(keys).toEqual(['ns/tj-1', 'ns/parent', 'admission']);
});
