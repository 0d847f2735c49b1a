import { Global, Inject, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { HealthRegistry } from '@llm/telemetry';
import { createPrismaClient, type PrismaClient } from './prisma.client';

export const PRISMA = Symbol('PRISMA');

class PrismaLifecycle implements OnApplicationShutdown {
  constructor(@Inject(PRISMA) private readonly prisma: PrismaClient) {}

  async onApplicationShutdown(): Promise<void> {
    await this.prisma.$disconnect();
  }
}

/** The service's Prisma client, registered with /health. */
@Global()
@Module({})
export class DbModule {
  static forRoot(options: { url: string; poolSize?: number }): DynamicModule {
    return {
      module: DbModule,
      providers: [
        {
          provide: PRISMA,
          inject: [HealthRegistry],
          useFactory: (health: HealthRegistry) => {
            const prisma = createPrismaClient(options.url, { poolSize: options.poolSize });
            health.register('postgres', async () => {
              await prisma.$queryRaw`select 1`;
            });
            return prisma;
          },
        },
        PrismaLifecycle,
      ],
      exports: [PRISMA],
    };
  }
}
