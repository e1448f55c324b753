/** One object a run wrote that another writer changed while a step depended on it (runner/written-config.ts). */
export interface ConfigChange {
  /** `VirtualService ratings.default` */
  ref: string;
  change: 'changed' | 'deleted' | 'recreated' | 'created';
  /** The object's generation as the run left it and as it is now, where it has one. */
  generations?: [number, number];
}
