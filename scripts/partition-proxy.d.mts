export interface PartitionProxy {
  port: number;
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}
export declare const partitionProxy: (targetPort: number) => Promise<PartitionProxy>;
