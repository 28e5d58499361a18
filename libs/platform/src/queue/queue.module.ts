import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { QueueProducer } from './queue-producer.service';
import { OutboxRelay } from './outbox-relay.service';
import { WorkerHost } from './worker-host.service';

/** Producer side: relays the outbox to BullMQ. Used by the API (and the worker). */
@Module({
  providers: [QueueProducer, OutboxRelay],
  exports: [QueueProducer, OutboxRelay],
})
export class OutboxModule {}

/** Consumer side: runs the BullMQ workers. Used by the worker process only. */
@Module({
  imports: [DiscoveryModule, OutboxModule],
  providers: [WorkerHost],
  exports: [WorkerHost],
})
export class WorkerHostModule {}
