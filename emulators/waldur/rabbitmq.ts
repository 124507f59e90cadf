// The part of the RabbitMQ management HTTP API that Waldur (mastermind's RabbitMQManagementBackend)
// uses: vhost per subscriber user, broker user per event subscription, queue declaration, publishing.
// Built on the broker's management client, so it drives the embedded broker and a real RabbitMQ alike.
import { RabbitManagementClient, WALDUR_QUEUE_ARGUMENTS } from '../stomp/management-client';

export interface BrokerAdmin { managementUrl: string; adminUser: string; adminPassword: string }

export const QUEUE_ARGUMENTS = WALDUR_QUEUE_ARGUMENTS;

export class RabbitManagement {
  private readonly client: RabbitManagementClient;

  constructor(private readonly cfg: BrokerAdmin) {
    this.client = new RabbitManagementClient(cfg.managementUrl, cfg.adminUser, cfg.adminPassword);
  }

  /** vhost named after the Waldur user, broker user = subscription UUID hex with the user's API token as password. */
  async addSubscriber(vhost: string, login: string, password: string): Promise<void> {
    await this.client.putVhost(vhost);
    await this.client.putUser(login, password);
    await this.client.setPermissions(vhost, login);
    // Waldur publishes as its own broker user, which needs access to every subscriber vhost.
    await this.client.setPermissions(vhost, this.cfg.adminUser);
  }

  async removeSubscriber(login: string): Promise<void> {
    await this.client.deleteUser(login);
  }

  async declareQueue(vhost: string, queue: string): Promise<void> {
    await this.client.declareQueue(vhost, queue, { arguments: QUEUE_ARGUMENTS });
  }

  async deleteQueue(vhost: string, queue: string): Promise<void> {
    await this.client.deleteQueue(vhost, queue);
  }

  async publish(vhost: string, queue: string, body: unknown): Promise<void> {
    await this.client.publish(vhost, queue, body as object, { delivery_mode: 2 });
  }
}
