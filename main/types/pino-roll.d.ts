// pino-roll ships JavaScript without type declarations: what Kassa uses of it.
declare module 'pino-roll' {
  import type { SonicBoom } from 'sonic-boom';
  interface PinoRollOptions {
    file: string | (() => string);
    extension?: string;
    frequency?: 'daily' | 'hourly' | number;
    size?: number | string;
    limit?: { count?: number; removeOtherLogFiles?: boolean };
    mkdir?: boolean;
    symlink?: boolean;
    dateFormat?: string;
  }
  export default function build(options: PinoRollOptions): Promise<SonicBoom>;
}
