import type { Informer } from './informer';
import { controllerOwnerKey, objectKey, type KubeObject } from './objects';

/** What a watch feeds: a controller's work queue. */
export interface Enqueuer {
  enqueue(key: string): void;
}

type Watchable<T extends KubeObject> = Pick<Informer<T>, 'on'>;

/** The reconciled kind itself: every event enqueues the object's own key (kubebuilder's `For`). */
export function watchFor<T extends KubeObject>(controller: Enqueuer, informer: Watchable<T>): void {
  informer.on(({ object }) => controller.enqueue(objectKey(object)));
}

/** Objects the reconciled kind owns: an event enqueues their controlling owner's key (kubebuilder's `Owns`). */
export function watchOwned<T extends KubeObject>(
  controller: Enqueuer,
  informer: Watchable<T>,
  ownerKind: string,
): void {
  informer.on(({ object }) => {
    const owner = controllerOwnerKey(object, ownerKind);
    if (owner) controller.enqueue(owner);
  });
}

/** A controller with one key (a pass over everything): any event enqueues that key. */
export function watchAsOne<T extends KubeObject>(
  controller: Enqueuer,
  informer: Watchable<T>,
  key: string,
): void {
  informer.on(() => controller.enqueue(key));
}
